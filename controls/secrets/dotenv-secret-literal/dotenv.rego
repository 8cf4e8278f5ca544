# Secrets written into committed .env files (conftest conventions: deny reports a failure).
# The input is one .env file as an object of variable names to string values.
package assay.dotenv_secret_literal

# Values that are not a secret: a reference to another variable (`${OTHER}`, `$OTHER`; not
# `${OTHER:-default}`, whose default is written here), a placeholder (`<your token>`, `xxxx`,
# `****`), a file path (GOOGLE_APPLICATION_CREDENTIALS names a key file) or a switch.
not_a_secret := `^(\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^>]*>|x{3,}|X{3,}|\*{3,}|(/|\./|\.\./|~/)\S*|(?i:true|false|yes|no|on|off))$`

# A URL that carries a password: `scheme://user:password@host`, the password not being a
# reference or placeholder.
url_with_password := `[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@$<{][^/\s@]*@`

# Each result names its variable so that it is reported at its own line.
deny contains {"msg": msg, "path": [name]} if {
	some name, value in input
	# assay's rule for secret names, the one kept evidence is redacted by
	assay.secret_name(name)
	is_string(value)
	value != ""
	not regex.match(not_a_secret, value)
	msg := sprintf("`%s` holds a literal secret value in a committed .env file", [name])
}

deny contains {"msg": msg, "path": [name]} if {
	some name, value in input
	is_string(value)
	regex.match(url_with_password, value)
	msg := sprintf("`%s` holds a URL with a password in a committed .env file", [name])
}
