# apt installs in the final stage of a Dockerfile skip recommended packages (conftest
# conventions: deny reports a failure). The input is the Dockerfile's instruction list.
package assay.docker_apt_no_install_recommends

froms := [i | some i, ins in input; ins.Cmd == "from"]

final_stage := input[froms[count(froms) - 1]].Stage

# Recommends turned off for the whole stage in apt's configuration.
recommends_off if {
	some ins in input
	ins.Cmd == "run"
	ins.Stage == final_stage
	regex.match(`(?i)APT::Install-Recommends\s+"?(false|0)`, concat(" ", ins.Value))
}

deny contains {"msg": "RUN installs with apt without --no-install-recommends: recommended packages ship too", "path": [i]} if {
	not recommends_off
	some i, ins in input
	ins.Cmd == "run"
	ins.Stage == final_stage
	text := concat(" ", ins.Value)
	regex.match(`\bapt(-get)?\s+([^&;|]*\s)?install\b`, text)
	not contains(text, "--no-install-recommends")
	not regex.match(`(?i)Install-Recommends=(false|0)`, text)
}
