# Self-hosted runners in workflows that anyone can trigger (conftest conventions: deny reports
# a failure). The input is one workflow.
package assay.gha_self_hosted_runner

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

# Events any GitHub user can cause on a public repository.
outside := {
	"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment",
	"issue_comment", "issues", "discussion", "discussion_comment", "fork", "watch",
}

triggers := {e | some e in events; e in outside}

# The labels of `runs-on`: a string, a list, or `labels` of a map.
labels(runs_on) := [runs_on] if is_string(runs_on)

labels(runs_on) := runs_on if is_array(runs_on)

labels(runs_on) := [runs_on.labels] if is_string(runs_on.labels)

labels(runs_on) := runs_on.labels if is_array(runs_on.labels)

self_hosted(runs_on) if {
	some label in labels(runs_on)
	is_string(label)
	lower(label) == "self-hosted"
}

# Runner groups hold self-hosted runners (or larger GitHub-hosted runners of an organisation).
self_hosted(runs_on) if is_string(runs_on.group)

deny contains {"msg": msg, "path": ["jobs", job, "runs-on"]} if {
	count(triggers) > 0
	is_object(input.jobs)
	some job, spec in input.jobs
	self_hosted(object.get(spec, "runs-on", null))
	msg := sprintf("job `%s` runs on a self-hosted runner in a workflow run by `%s`: code from a fork's pull request can run on that machine", [job, concat("`, `", sort(triggers))])
}
