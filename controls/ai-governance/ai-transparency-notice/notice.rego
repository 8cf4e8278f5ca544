# Transparency towards the people an AI system deals with (EU AI Act Art. 50(1)) and the instructions
# for use of high-risk systems (Art. 13(3)), from the facts of the ai collector.
package assay.ai_transparency_notice

notice := input.transparency_notice

deny contains msg if {
	input.interacts_with_people == true
	not notice.present
	msg := sprintf("AI system `%s` interacts with people but has no transparency notice in the repository (Art. 50(1))", [input.name])
}

deny contains msg if {
	input.interacts_with_people == true
	notice.present
	not notice.mentions_ai
	msg := sprintf("the transparency notice `%s` of AI system `%s` does not tell people they are interacting with an AI system (Art. 50(1))", [notice.path, input.name])
}

deny contains msg if {
	input.risk == "high"
	not notice.present
	msg := sprintf("high-risk AI system `%s` has no instructions for use in the repository (`transparency_notice`, Art. 13)", [input.name])
}

deny contains msg if {
	input.risk == "high"
	notice.present
	count(notice.missing) > 0
	msg := sprintf("the instructions for use `%s` of high-risk AI system `%s` lack the sections %s (Art. 13(3))", [notice.path, input.name, concat(", ", notice.missing)])
}
