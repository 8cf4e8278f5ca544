# Gateway load balancers cannot write access logs; the firewall appliances log instead.
resource "aws_lb" "inspection" {
  name               = "inspection"
  load_balancer_type = "gateway"

  subnet_mapping {
    subnet_id = aws_subnet.inspection.id
  }
}

resource "aws_alb" "internal_tools" {
  name     = "internal-tools"
  internal = true
  subnets  = var.private_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    enabled = "true"
  }
}
