# Package manager caches left in the final image (conftest conventions: deny reports a
# failure). The input is the Dockerfile's instruction list.
package assay.docker_package_cache_cleaned

froms := [i | some i, ins in input; ins.Cmd == "from"]

final_stage := input[froms[count(froms) - 1]].Stage

# The RUN instructions of the final stage without a BuildKit cache mount, each as one text.
runs contains [i, text] if {
	some i, ins in input
	ins.Cmd == "run"
	ins.Stage == final_stage
	not cache_mount(ins)
	text := concat(" ", ins.Value)
}

cache_mount(ins) if {
	some flag in ins.Flags
	contains(flag, "type=cache")
}

# ENV PIP_NO_CACHE_DIR in the final stage turns pip's cache off for every later step.
pip_cache_off if {
	some ins in input
	ins.Cmd == "env"
	ins.Stage == final_stage
	some k, key in ins.Value
	k % 2 == 0
	key == "PIP_NO_CACHE_DIR"
}

deny contains {"msg": "RUN installs with apt but does not remove /var/lib/apt/lists in the same step", "path": [i]} if {
	some [i, text] in runs
	regex.match(`\bapt(-get)?\s+([^&;|]*\s)?install\b`, text)
	not contains(text, "/var/lib/apt/lists")
}

deny contains {"msg": "RUN runs `apk add` without --no-cache", "path": [i]} if {
	some [i, text] in runs
	regex.match(`\bapk\s+([^&;|]*\s)?add\b`, text)
	not contains(text, "--no-cache")
	not contains(text, "/var/cache/apk")
}

deny contains {"msg": "RUN runs `pip install` without --no-cache-dir", "path": [i]} if {
	not pip_cache_off
	some [i, text] in runs
	regex.match(`(^|[^\w.-])pip[0-9.]*\s+([^&;|]*\s)?install\b`, text)
	not regex.match(`\buv\s+pip\b`, text)
	not contains(text, "--no-cache-dir")
}
