# Terraform variables whose name says they hold a secret and that carry a literal default
# (conftest conventions: deny reports a failure).
package assay.tf_variable_secret_default

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
	# assay's rule for secret names, the one kept evidence is redacted by
	assay.secret_name(name)
	literal_default(block)
	msg := sprintf("variable `%s` has a literal default: the secret is in the source", [name])
}
