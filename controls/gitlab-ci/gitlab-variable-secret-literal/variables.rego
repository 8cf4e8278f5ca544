# Secrets written as literal values in GitLab CI variables (conftest conventions: deny reports
# a failure). The input is one CI configuration file.
package assay.gitlab_variable_secret_literal

# Values that are not a secret: references to other variables, placeholders, file paths and
# switches.
not_a_secret := `^(.*\$.*|<[^>]*>|x{3,}|X{3,}|\*{3,}|(/|\./|\.\./|~/)\S*|(?i:true|false|yes|no|on|off))$`

keywords := {"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script", "spec", "types"}

# Every variables map, with its path and owner.
maps contains [["variables"], "the configuration", input.variables] if is_object(input.variables)

maps contains [[name, "variables"], sprintf("job `%s`", [name]), job.variables] if {
	is_object(input)
	some name, job in input
	not name in keywords
	is_object(job)
	is_object(job.variables)
}

# A variable's value and its path below the variable: a string or number, or `value:`.
value_of(v) := [[], v] if not is_object(v)

value_of(v) := [["value"], v.value] if is_object(v)

literal(value) if is_number(value)

literal(value) if {
	is_string(value)
	trim_space(value) != ""
	not regex.match(not_a_secret, trim_space(value))
}

deny contains {"msg": msg, "path": array.concat(array.concat(path, [name]), below)} if {
	some [path, who, values] in maps
	some name, v in values
	# assay's rule for secret names, the one kept evidence is redacted by
	assay.secret_name(name)
	[below, value] := value_of(v)
	literal(value)
	msg := sprintf("%s sets `%s` to a literal value in the repository instead of a masked CI/CD variable", [who, name])
}
