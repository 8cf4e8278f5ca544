resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = aws_subnet.public[*].id
  security_groups    = [aws_security_group.web.id]
}

resource "aws_alb" "admin" {
  name                       = "admin"
  internal                   = true
  subnets                    = aws_subnet.private[*].id
  drop_invalid_header_fields = false
}

# Network load balancers do not parse HTTP: not judged.
resource "aws_lb" "mqtt" {
  name               = "mqtt"
  load_balancer_type = "network"
  subnets            = aws_subnet.public[*].id
}
