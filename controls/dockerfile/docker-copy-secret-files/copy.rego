# Credential files copied into images (conftest conventions: deny reports a failure). The
# input is the Dockerfile's instruction list.
package assay.docker_copy_secret_files

# File names that hold credentials, as the last part of a source path.
credential_file := `(?i)(^|/)(\.env(\.[a-z0-9_-]+)?|id_(rsa|dsa|ecdsa|ed25519)|[^/]*\.(pem|key|p12|pfx)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.htpasswd|credentials\.json|[^/]*-sa-key\.json|service-account[^/]*\.json|\.aws/credentials|\.docker/config\.json|kubeconfig)$`

# Templates of .env files hold placeholders.
env_template := `(?i)(^|/)\.env\.(example|sample|template|dist)$`

copies(ins) if ins.Cmd in {"copy", "add"}

copies(ins) if {
	ins.Cmd == "onbuild"
	ins.SubCmd in {"copy", "add"}
}

# Every value but the last (the destination) is a source.
deny contains {"msg": msg, "path": [i]} if {
	some i, ins in input
	copies(ins)
	some k, source in ins.Value
	k < count(ins.Value) - 1
	regex.match(credential_file, source)
	not regex.match(env_template, source)
	msg := sprintf("`%s` is copied into the image, where anyone who pulls it can read it", [source])
}
