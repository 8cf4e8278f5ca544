resource "aws_lb" "web" {
  name                       = "web"
  load_balancer_type         = "application"
  subnets                    = aws_subnet.public[*].id
  drop_invalid_header_fields = true
}

resource "aws_lb" "ingress" {
  name               = "ingress"
  load_balancer_type = "gateway"
  subnets            = aws_subnet.inspection[*].id
}
