# Secrets written as literal values in GitHub Actions workflows (conftest conventions: deny
# reports a failure). The input is one workflow.
package assay.gha_secret_literal

# Values that are not a secret: placeholders, file paths and switches.
not_a_secret := `^(<[^>]*>|x{3,}|X{3,}|\*{3,}|(/|\./|\.\./|~/)\S*|(?i:true|false|yes|no|on|off))$`

# Jobs and their steps, skipping parts that are not shaped as GitHub defines them.
jobs contains [job, spec] if {
	is_object(input.jobs)
	some job, spec in input.jobs
	is_object(spec)
}

steps contains [job, i, step] if {
	some [job, spec] in jobs
	is_array(spec.steps)
	some i, step in spec.steps
	is_object(step)
}

# Every env map and step input map, with its path and how to name its owner.
maps contains [["env"], "the workflow", "variable", input.env] if is_object(input.env)

maps contains [["jobs", job, "env"], sprintf("job `%s`", [job]), "variable", spec.env] if {
	some [job, spec] in jobs
	is_object(spec.env)
}

maps contains [["jobs", job, "steps", i, key], sprintf("step %s of job `%s`", [step_name(step, i), job]), kind, step[key]] if {
	some [job, i, step] in steps
	some [key, kind] in [["env", "variable"], ["with", "input"]]
	is_object(step[key])
}

# A step's name, or its position in the job.
step_name(step, i) := sprintf("`%s`", [step.name]) if {
	is_string(step.name)
	is_number(i)
} else := sprintf("%d", [i + 1])

literal(value) if is_number(value)

literal(value) if {
	is_string(value)
	trim_space(value) != ""
	not contains(value, "${{")
	not regex.match(not_a_secret, trim_space(value))
}

deny contains {"msg": msg, "path": array.concat(path, [name])} if {
	some [path, who, kind, values] in maps
	some name, value in values
	# assay's rule for secret names, the one kept evidence is redacted by
	assay.secret_name(name)
	literal(value)
	msg := sprintf("%s sets %s `%s` to a literal value instead of a secret reference", [who, kind, name])
}
