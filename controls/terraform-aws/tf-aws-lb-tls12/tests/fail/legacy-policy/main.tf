resource "aws_lb_listener" "api_https" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08"
  certificate_arn   = aws_acm_certificate.api.arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}

# TLS listener on a network load balancer that never got a policy.
resource "aws_lb_listener" "mqtt_tls" {
  load_balancer_arn = aws_lb.iot.arn
  port              = 8883
  protocol          = "TLS"
  certificate_arn   = aws_acm_certificate.iot.arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.mqtt.arn
  }
}
