# Terraform variables whose name says they hold a secret and that carry a literal default
# (conftest conventions: deny reports a failure).
package assay.tf_variable_secret_default

# Names that say the variable holds a secret: password, passwd, passphrase, pass (as a word),
# secret, token (as a word), api key, private key, credential(s); `_`, `-` or `.` may join the
# words, and case does not matter.
secret_name := `(?i)(pass(word|wd|phrase)|(^|[_.-])pass([_.-]|$)|secret|token([_.-]|s?$)|api[_.-]?key|private[_.-]?key|credentials?)`

# Names that carry a secret's location or metadata rather than the secret itself.
about_a_secret := `(?i)[_.-](file|path|dir|url|uri|endpoint|host|port|name|arn|ref|id|type|header|ttl|expiry|expires|lifetime|timeout|length|enabled|rotation|version)$`

# Every variable block of the file as (name, block, path); repeated blocks of one name come
# as a list, and shapes that are not Terraform's are skipped.
variables contains [name, block, ["variable", name]] if {
	some name, value in object.get(input, "variable", {})
	is_object(value)
	block := value
}

variables contains [name, block, ["variable", name, i]] if {
	some name, value in object.get(input, "variable", {})
	is_array(value)
	some i, block in value
	is_object(block)
}

literal_default(block) if {
	value := block["default"]
	is_string(value)
	value != ""
	not startswith(value, "${")
}

literal_default(block) if {
	value := block["default"]
	is_number(value)
}

# Each result names the offending `default` so that it is reported at its own line.
deny contains {"msg": msg, "path": array.concat(path, ["default"])} if {
	some [name, block, path] in variables
	regex.match(secret_name, name)
	not regex.match(about_a_secret, name)
	literal_default(block)
	msg := sprintf("variable `%s` has a literal default: the secret is in the source", [name])
}
