variable "url_auth" {
  type = string
}

resource "aws_lambda_function_url" "export" {
  function_name      = aws_lambda_function.export.function_name
  authorization_type = var.url_auth
}
