variable "tag_mutability" {
  type = string
}

resource "aws_ecr_repository" "web" {
  name                 = "web"
  image_tag_mutability = var.tag_mutability
}
