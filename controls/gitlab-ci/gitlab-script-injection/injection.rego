# Variables an outsider writes, expanded into text a shell or interpreter evaluates (conftest
# conventions: deny reports a failure). The input is one CI configuration file.
package assay.gitlab_script_injection

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

# Script entries: a string, or list items that are strings or lists of strings (YAML anchors).
entries(script) := [[0, script]] if is_string(script)

entries(script) := [[i, text] |
	some i, item in script
	some text in texts(item)
] if is_array(script)

texts(item) := [item] if is_string(item)

texts(item) := [t | some t in item; is_string(t)] if is_array(item)

untrusted := `\$\{?(CI_MERGE_REQUEST_TITLE|CI_MERGE_REQUEST_DESCRIPTION|CI_COMMIT_MESSAGE|CI_COMMIT_TITLE|CI_COMMIT_DESCRIPTION|CI_COMMIT_TAG_MESSAGE|CI_COMMIT_AUTHOR|CI_COMMIT_BRANCH|CI_COMMIT_REF_NAME|CI_MERGE_REQUEST_SOURCE_BRANCH_NAME|CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME)\b`

# What parses its argument again as code.
evaluator := `(\beval|\b(ba|z|k|da)?sh\s+(-[A-Za-z]+\s+)*-c|\bpython[0-9.]*\s+-c|\bnode\s+(-e|--eval)|\bperl\s+-e|\bruby\s+-e)\s`

# The variables evaluated on one line (continuations joined): those after an evaluator, outside
# single-quoted strings, which the outer shell does not expand. The text is split into
# double-quoted strings, single-quoted strings and the rest, left to right, so that quotes
# inside the other kind of string are read as the shell reads them.
evaluated(line) := {m[1] |
	some at in regex.find_n(evaluator, line, -1)
	rest := substring(line, indexof(line, at) + count(at), -1)
	tokens := regex.find_n(`"(?:[^"\\]|\\.)*"|'[^']*'|[^"']+|["']`, rest, -1)
	expanded := concat("", [t | some t in tokens; not startswith(t, "'")])
	some m in regex.find_all_string_submatch_n(untrusted, expanded, -1)
}

deny contains {"msg": msg, "path": array.concat(at, [key, i])} if {
	some [at, who, holder] in holders
	some key in ["before_script", "script", "after_script"]
	some [i, entry] in entries(holder[key])
	found := {v | some line in split(replace(entry, "\\\n", " "), "\n"); some v in evaluated(line)}
	count(found) > 0
	msg := sprintf("%s evaluates `%s` as code: a merge request title, commit message or branch name can run commands", [who, concat("`, `", sort(found))])
}
