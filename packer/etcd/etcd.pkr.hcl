# The etcd image: the external etcd members start from it. No kubelet, no container
# runtime: etcd runs as a systemd service that kx writes over SSH.
build {
  name = "etcd"

  source "source.amazon-ebs.kx" {
    name            = "etcd"
    ami_name        = "kx-etcd-${var.etcd_version}-${local.hash_short}-${local.build_time}"
    ami_description = "kx etcd ${var.etcd_version} on Ubuntu 24.04 LTS"

    tags = merge(local.common_tags, {
      "Name"            = "kx-etcd-${var.etcd_version}"
      "kx:role"         = "etcd"
      "kx:etcd-version" = var.etcd_version
    })
    snapshot_tags = merge(local.common_tags, {
      "Name"    = "kx-etcd-${var.etcd_version}"
      "kx:role" = "etcd"
    })
  }

  provisioner "shell" {
    inline = ["mkdir -p ${local.remote_dir}"]
  }

  provisioner "file" {
    source      = "${path.root}/scripts"
    destination = local.remote_dir
  }

  provisioner "shell" {
    execute_command  = "sudo -E bash '{{ .Path }}'"
    environment_vars = ["ETCD_VERSION=${var.etcd_version}"]
    inline = [
      "bash ${local.remote_dir}/scripts/common/base.sh",
      "bash ${local.remote_dir}/scripts/etcd/etcd.sh",
      "bash ${local.remote_dir}/scripts/common/cleanup.sh",
    ]
  }

  post-processor "manifest" {
    output     = "${path.root}/manifest.json"
    strip_path = true
    custom_data = {
      role         = "etcd"
      content_hash = var.kx_content_hash
      etcd_version = var.etcd_version
    }
  }
}
