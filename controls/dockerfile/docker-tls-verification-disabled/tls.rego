# Settings that turn off TLS certificate validation in Dockerfile instructions (conftest
# conventions: deny reports a failure). The input is the Dockerfile's instruction list.
package assay.docker_tls_verification_disabled

# Each setting with the pattern that finds it in an instruction's text; a command's options
# are looked for up to the next `|`, `;` or `&`.
settings := {
	"curl --insecure": `\bcurl\b[^|;&\n]*\s(--insecure|-[A-Za-z]*k[A-Za-z]*)(\s|$)`,
	"wget --no-check-certificate": `\bwget\b[^|;&\n]*\s--no-check-certificate\b`,
	"pip --trusted-host": `\bpip[0-9.]*\b[^|;&\n]*\s--trusted-host\b|\bPIP_TRUSTED_HOST[= ]`,
	"strict-ssl false": `(?i)\b(npm|yarn)\s+(c|config)\s+set\s+["']?strict-ssl["']?(\s+|=)["']?false|\bNPM_CONFIG_STRICT_SSL[= ]["']?false`,
	"git http.sslVerify false": `(?i)\bhttp\.sslVerify["']?(\s+|=)["']?false|\bGIT_SSL_NO_VERIFY[= ]\S`,
	"NODE_TLS_REJECT_UNAUTHORIZED=0": `\bNODE_TLS_REJECT_UNAUTHORIZED[= ]["']?0\b`,
	"PYTHONHTTPSVERIFY=0": `\bPYTHONHTTPSVERIFY[= ]["']?0\b`,
	"sslverify off": `(?i)\bsslverify["']?\s*=\s*["']?(0|false|no)\b`,
}

deny contains {"msg": msg, "path": [i]} if {
	some i, ins in input
	ins.Cmd in {"run", "env", "arg"}
	found := {name | some name, pattern in settings; regex.match(pattern, ins.Original)}
	count(found) > 0
	msg := sprintf("%s turns off TLS certificate validation: `%s`", [upper(ins.Cmd), concat("`, `", sort(found))])
}
