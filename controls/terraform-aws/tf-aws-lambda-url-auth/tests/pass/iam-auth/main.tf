resource "aws_lambda_function_url" "internal" {
  function_name      = aws_lambda_function.internal.function_name
  qualifier          = "live"
  authorization_type = "AWS_IAM"
}
