resource "aws_security_group" "windows_jump" {
  name   = "windows-jump"
  vpc_id = aws_vpc.main.id
}

# A wide port range that happens to include RDP.
resource "aws_security_group_rule" "app_range" {
  type              = "ingress"
  from_port         = 3000
  to_port           = 4000
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8", "0.0.0.0/0"]
  security_group_id = aws_security_group.windows_jump.id
}

resource "aws_security_group_rule" "ssh_v6" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
  security_group_id = aws_security_group.windows_jump.id
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.windows_jump.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 3389
  to_port           = 3389
  ip_protocol       = "tcp"
}

# Egress rules are not ingress: not reported.
resource "aws_security_group_rule" "all_out" {
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.windows_jump.id
}
