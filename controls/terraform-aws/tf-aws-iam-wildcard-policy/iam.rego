# Allow statements granting every action on every resource, in the Terraform JSON shape that
# assay's HCL parser (and a `.tf.json` file) gives.
package assay.tf_aws_iam_wildcard_policy

policy_types := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

# A `.tf.json` body may be wrapped in a one-element array.
bodies(x) := x if is_array(x)

bodies(x) := [x] if is_object(x)

as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

# Policy documents given as JSON text (a string or a heredoc).
admin_statement(policy) if {
	is_string(policy)
	json.is_valid(policy)
	some statement in as_list(json.unmarshal(policy).Statement)
	statement.Effect == "Allow"
	not statement.Condition
	"*" in as_list(statement.Action)
	"*" in as_list(statement.Resource)
}

# Policy documents built with jsonencode(): the parser keeps the call's HCL source. Each
# innermost `{ … }` is a statement (one with a Condition holds a nested block and is skipped).
admin_statement(policy) if {
	is_string(policy)
	startswith(policy, "${jsonencode(")
	some statement in regex.find_n(`\{[^{}]*\}`, policy, -1)
	regex.match(`Effect\s*=\s*"Allow"`, statement)
	regex.match(`Action\s*=\s*("\*"|\[[^\]]*"\*"[^\]]*\])`, statement)
	regex.match(`Resource\s*=\s*("\*"|\[[^\]]*"\*"[^\]]*\])`, statement)
}

deny contains {"msg": msg, "path": ["resource", kind, name]} if {
	some kind in policy_types
	some name, resource in input.resource[kind]
	some body in bodies(resource)
	admin_statement(body.policy)
	msg := sprintf("%s.%s: a statement allows every action (`*`) on every resource (`*`)", [kind, name])
}

deny contains {"msg": msg, "path": ["data", "aws_iam_policy_document", name]} if {
	some name, source in input.data.aws_iam_policy_document
	some body in bodies(source)
	some statement in as_list(object.get(body, "statement", []))
	object.get(statement, "effect", "Allow") == "Allow"
	not statement.condition
	"*" in object.get(statement, "actions", [])
	"*" in object.get(statement, "resources", [])
	msg := sprintf("data.aws_iam_policy_document.%s: a statement allows every action (`*`) on every resource (`*`)", [name])
}
