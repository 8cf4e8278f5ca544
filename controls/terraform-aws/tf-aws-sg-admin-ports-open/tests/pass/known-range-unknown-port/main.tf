variable "ssh_port" {
  type = number
}

resource "aws_security_group" "office" {
  name   = "office"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "SSH from the office range only, on a port chosen at apply time"
    from_port   = var.ssh_port
    to_port     = var.ssh_port
    protocol    = "tcp"
    cidr_blocks = ["203.0.113.0/24"]
  }
}
