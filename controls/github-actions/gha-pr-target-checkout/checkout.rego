# Workflows run by pull_request_target, workflow_run or issue_comment that check out the pull
# request's code
# (conftest conventions: deny reports a failure). The input is one workflow.
package assay.gha_pr_target_checkout

# The events of `on:`, written as a string, a list or a map.
events contains input.on if is_string(input.on)

events contains e if {
	is_array(input.on)
	some e in input.on
}

events contains e if {
	is_object(input.on)
	some e, _ in input.on
}

privileged := {e | some e in events; e in {"pull_request_target", "workflow_run", "issue_comment"}}

# Expressions that name the code of the pull request or of the run that triggered this one.
head_code := `\$\{\{[^}]*\b(github\.event\.pull_request\.head\.(sha|ref|label|repo\.full_name)|github\.head_ref|github\.event\.workflow_run\.(head_sha|head_branch|head_repository\.full_name)|github\.event\.number|github\.event\.pull_request\.number|github\.event\.issue\.number)\b[^}]*\}\}`

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

# The `ref` and `repository` of each checkout step that name the pull request's code.
head_inputs(step) := {sprintf("%s: %s", [key, value]) |
	some key in ["ref", "repository"]
	value := step["with"][key]
	is_string(value)
	regex.match(head_code, value)
}

# One finding per step, at its `uses` line.
deny contains {"msg": msg, "path": ["jobs", job, "steps", i, "uses"]} if {
	count(privileged) > 0
	some [job, i, step] in steps
	is_string(step.uses)
	startswith(step.uses, "actions/checkout@")
	found := head_inputs(step)
	count(found) > 0
	msg := sprintf("job `%s` checks out the pull request's code (`%s`) in a workflow run by `%s`, where it runs with the base repository's secrets and token", [job, concat("`, `", sort(found)), concat("`, `", sort(privileged))])
}
