# The Kubernetes node image: every control-plane and worker node starts from it.
build {
  name = "node"

  source "source.amazon-ebs.kx" {
    name            = "node"
    ami_name        = "kx-node-k8s-${var.k8s_version}-${local.hash_short}-${local.build_time}"
    ami_description = "kx Kubernetes node ${var.k8s_version} on Ubuntu 24.04 LTS"

    tags = merge(local.common_tags, {
      "Name"           = "kx-node-k8s-${var.k8s_version}"
      "kx:role"        = "node"
      "kx:k8s-version" = var.k8s_version
    })
    snapshot_tags = merge(local.common_tags, {
      "Name"    = "kx-node-k8s-${var.k8s_version}"
      "kx:role" = "node"
    })
  }

  provisioner "shell" {
    inline = ["mkdir -p ${local.remote_dir}"]
  }

  # Uploads packer/scripts as <remote_dir>/scripts so the scripts can source lib.sh.
  provisioner "file" {
    source      = "${path.root}/scripts"
    destination = local.remote_dir
  }

  provisioner "shell" {
    execute_command = "sudo -E bash '{{ .Path }}'"
    environment_vars = [
      "K8S_VERSION=${var.k8s_version}",
      "CONTAINERD_VERSION=${var.containerd_version}",
      "RUNC_VERSION=${var.runc_version}",
      "HELM_VERSION=${var.helm_version}",
    ]
    inline = [
      "bash ${local.remote_dir}/scripts/common/base.sh",
      "bash ${local.remote_dir}/scripts/node/kernel.sh",
      "bash ${local.remote_dir}/scripts/node/kubernetes.sh",
      "bash ${local.remote_dir}/scripts/node/containerd.sh",
      "bash ${local.remote_dir}/scripts/node/bpffs.sh",
      "bash ${local.remote_dir}/scripts/node/helm.sh",
      "bash ${local.remote_dir}/scripts/node/prepull.sh",
      "bash ${local.remote_dir}/scripts/common/cleanup.sh",
    ]
  }

  post-processor "manifest" {
    output     = "${path.root}/manifest.json"
    strip_path = true
    custom_data = {
      role         = "node"
      content_hash = var.kx_content_hash
      k8s_version  = var.k8s_version
    }
  }
}
