# EXPOSE of port 22 in a Dockerfile (conftest conventions: deny reports a failure). The input
# is the Dockerfile's instruction list.
package assay.docker_expose_ssh

# The first and last port of `22`, `22/tcp` or `20-25/tcp`; nothing for `${PORT}`.
ports(spec) := [to_number(m[1]), to_number(range_end(m))] if {
	m := regex.find_all_string_submatch_n(`^([0-9]+)(?:-([0-9]+))?(?:/[a-z]+)?$`, spec, 1)[0]
}

range_end(m) := m[2] if m[2] != ""

else := m[1]

deny contains {"msg": msg, "path": [i]} if {
	some i, ins in input
	ins.Cmd == "expose"
	some spec in ins.Value
	[first, last] := ports(spec)
	first <= 22
	22 <= last
	msg := sprintf("EXPOSE publishes port 22 (`%s`): an SSH server in the container is a second way in", [spec])
}
