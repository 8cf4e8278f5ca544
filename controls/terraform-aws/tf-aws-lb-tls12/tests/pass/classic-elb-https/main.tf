resource "aws_elb" "portal" {
  name    = "portal"
  subnets = [aws_subnet.public_a.id, aws_subnet.public_b.id]

  listener {
    instance_port      = 8443
    instance_protocol  = "https"
    lb_port            = 443
    lb_protocol        = "https"
    ssl_certificate_id = aws_acm_certificate.portal.arn
  }
}
