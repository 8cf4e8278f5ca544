variable "drop_headers" {
  type = bool
}

resource "aws_lb" "api" {
  name                       = "api"
  subnets                    = aws_subnet.public[*].id
  drop_invalid_header_fields = var.drop_headers
}
