// Precompiled header shared by every module that uses libtorch.
#pragma once
#include <torch/torch.h>
