# Variables every kx image takes. kx passes each of them with -var; the defaults are
# for building by hand.

variable "region" {
  type        = string
  description = "AWS region the image is built and registered in."
}

variable "instance_type" {
  type        = string
  default     = "t3.large"
  description = "Instance type of the temporary build instance (does not change the image)."
}

variable "base_image_filter" {
  type        = string
  default     = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
  description = "Name filter of the base image."
}

variable "base_image_owner" {
  type        = string
  default     = "099720109477"
  description = "Account that publishes the base image (Canonical)."
}

variable "kx_content_hash" {
  type        = string
  description = "sha256 of the templates, scripts and versions that make this image; kx finds the image again by it."

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.kx_content_hash))
    error_message = "The kx_content_hash variable must be 64 lower-case hex digits (a sha256)."
  }
}

variable "root_volume_gib" {
  type        = number
  default     = 20
  description = "Size of the image's root volume; instances may ask for more."
}
