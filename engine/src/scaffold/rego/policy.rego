package main

import rego.v1

deny contains msg if {
	some container in input.spec.template.spec.containers
	container.securityContext.privileged == true
	msg := sprintf("container `%s` runs privileged", [container.name])
}
