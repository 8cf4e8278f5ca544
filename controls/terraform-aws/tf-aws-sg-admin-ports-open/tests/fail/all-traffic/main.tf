# "Temporary" allow-all rule: protocol -1 opens every port, SSH and RDP included.
resource "aws_security_group" "debug" {
  name   = "debug-allow-all"
  vpc_id = aws_vpc.main.id

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# Private IPv6 range: all traffic, but not from the internet.
resource "aws_vpc_security_group_ingress_rule" "debug_v6" {
  security_group_id = aws_security_group.debug.id
  cidr_ipv6         = "fd00:10::/48"
  ip_protocol       = "-1"
}
