# Secrets written into committed .env files (conftest conventions: deny reports a failure).
# The input is one .env file as an object of variable names to string values.
package assay.dotenv_secret_literal

# Names that say the variable holds a secret: password, passwd, passphrase, pass (as a word),
# secret, token (as a word), api key, private key, credential(s); `_` or `-` may join the
# words, and case does not matter.
secret_name := `(?i)(pass(word|wd|phrase)|(^|[_.-])pass([_.-]|$)|secret|token([_.-]|s?$)|api[_.-]?key|private[_.-]?key|credentials?)`

# Names that carry a secret's location or metadata rather than the secret itself
# (POSTGRES_PASSWORD_FILE, TOKEN_URL, SECRET_NAME, TOKEN_TTL, ...).
about_a_secret := `(?i)[_.-](file|path|dir|url|uri|endpoint|host|port|name|arn|ref|id|type|header|ttl|expiry|expires|lifetime|timeout|length|enabled)$`

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
	regex.match(secret_name, name)
	not regex.match(about_a_secret, name)
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
