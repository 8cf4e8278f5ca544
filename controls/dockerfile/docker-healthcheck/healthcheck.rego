# The final stage of a Dockerfile declares a HEALTHCHECK (conftest
# conventions: deny reports a failure). The input is the Dockerfile's instruction list.
package assay.docker_healthcheck

# Indexes of the FROM instructions, in order; the last one starts the final stage.
froms := [i | some i, ins in input; ins.Cmd == "from"]

final_from := froms[count(froms) - 1]

final_stage := input[final_from].Stage

# A HEALTHCHECK of the final stage, `HEALTHCHECK NONE` included: it states there is nothing
# to probe.
healthcheck if {
	some ins in input
	ins.Cmd == "healthcheck"
	ins.Stage == final_stage
}

deny contains {"msg": msg, "path": [final_from]} if {
	not healthcheck
	msg := sprintf("the final stage (`%s`) has no HEALTHCHECK: nothing tells whether the service answers", [input[final_from].Value[0]])
}
