# CI_JOB_TOKEN sent to hosts other than GitLab or written into published artifacts (conftest
# conventions: deny reports a failure). The input is one CI configuration file.
package assay.gitlab_job_token_exposure

keywords := {"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script", "spec", "types"}

# Every script holder: the file (global keywords), `default` and each job.
holders contains [[], "the configuration", input] if is_object(input)

holders contains [["default"], "`default`", input.default] if is_object(input.default)

holders contains [[name], sprintf("job `%s`", [name]), job] if {
	is_object(input)
	some name, job in input
	not name in keywords
	is_object(job)
}

# Each command line (continuations joined) of each script entry that uses the token, with the
# entry's path.
token_lines contains [path, who, holder, line] if {
	some [at, who, holder] in holders
	some key in ["before_script", "script", "after_script"]
	some [i, entry] in entries(holder[key])
	path := array.concat(at, [key, i])
	some line in split(replace(entry, "\\\n", " "), "\n")
	regex.match(`\$\{?CI_JOB_TOKEN\b`, line)
}

# Script entries: a string, or list items that are strings or lists of strings (YAML anchors).
entries(script) := [[0, script]] if is_string(script)

entries(script) := [[i, text] |
	some i, item in script
	some text in texts(item)
] if is_array(script)

texts(item) := [item] if is_string(item)

texts(item) := [t | some t in item; is_string(t)] if is_array(item)

# Hosts of literal URLs on a line.
hosts(line) := {h |
	some m in regex.find_all_string_submatch_n(`https?://(?:[^/\s"'@]*@)?([A-Za-z0-9.-]+)`, line, -1)
	h := lower(m[1])
}

deny contains {"msg": msg, "path": path} if {
	some [path, who, _, line] in token_lines
	some host in hosts(line)
	not contains(host, "gitlab")
	msg := sprintf("%s sends CI_JOB_TOKEN to `%s`, a host other than GitLab", [who, host])
}

# Files a line writes to.
written(line) := {normal(m[1]) |
	some m in regex.find_all_string_submatch_n(`(?:>>?|\btee(?:\s+-a)?)\s*["']?([^\s;&|"'<>]+)`, line, -1)
}

normal(p) := trim_suffix(trim_prefix(trim_prefix(p, "$CI_PROJECT_DIR/"), "./"), "/")

published(holder, _) if holder.artifacts.untracked == true

published(holder, file) if {
	is_array(holder.artifacts.paths)
	some p in holder.artifacts.paths
	is_string(p)
	dir := normal(p)
	covers(dir, file)
}

covers(dir, file) if dir == file

covers(dir, _) if dir in {"", "."}

covers(dir, file) if startswith(file, concat("", [dir, "/"]))

deny contains {"msg": msg, "path": path} if {
	some [path, who, holder, line] in token_lines
	some file in written(line)
	# Files outside the project directory (absolute, or under another variable) never ship.
	not regex.match(`^[/$~]`, file)
	published(holder, file)
	msg := sprintf("%s writes CI_JOB_TOKEN into `%s`, which the job publishes as an artifact", [who, file])
}
