variable "admin_cidr" {
  description = "Where administrators connect from; set per environment at apply time."
  type        = string
}

variable "vpc_id" {
  type = string
}

resource "aws_security_group" "admin" {
  name   = "admin"
  vpc_id = var.vpc_id

  ingress {
    description = "SSH for administrators"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
