# Untrusted event data expanded into the scripts of GitHub Actions steps (conftest
# conventions: deny reports a failure). The input is one workflow.
package assay.gha_script_injection

# A `${{ }}` expression that reads a field an outsider controls (GitHub Security Lab's list):
# titles and bodies, comments and reviews, commit messages and authors, branch names, wiki
# page names and a fork's default branch.
untrusted := `\$\{\{[^}]*\bgithub\.(head_ref|event\.(issue\.(title|body)|pull_request\.(title|body|head\.(ref|label|repo\.default_branch))|discussion\.(title|body)|comment\.body|review\.body|review_comment\.body|pages(\[[^\]]*\]|\.\*)?\.page_name|commits(\[[^\]]*\]|\.\*)?\.(message|author\.(email|name))|head_commit\.(message|author\.(email|name)|committer\.(email|name))|workflow_run\.(head_branch|display_title|head_commit\.(message|author\.(email|name)|committer\.(email|name))|pull_requests(\[[^\]]*\]|\.\*)?\.head\.ref)))\b[^}]*\}\}`

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

# Every step with its job, index and the script it runs: `run`, or the `script` input of
# actions/github-script.
scripts contains [job, i, step, ["run"], "`run` script", step.run] if {
	some [job, i, step] in steps
	is_string(step.run)
}

scripts contains [job, i, step, ["with", "script"], "github-script `script`", step["with"].script] if {
	some [job, i, step] in steps
	is_string(step.uses)
	startswith(step.uses, "actions/github-script@")
	is_string(step["with"].script)
}

deny contains {"msg": msg, "path": array.concat(["jobs", job, "steps", i], field)} if {
	some [job, i, step, field, what, text] in scripts
	found := regex.find_n(untrusted, text, -1)
	count(found) > 0
	msg := sprintf("step %s of job `%s` expands `%s` into its %s: a crafted value runs as code", [step_name(step, i), job, concat("`, `", sort({e | some e in found})), what])
}

# A step's name, or its position in the job.
step_name(step, i) := sprintf("`%s`", [step.name]) if {
	is_string(step.name)
	is_number(i)
} else := sprintf("%d", [i + 1])
