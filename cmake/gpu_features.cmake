# What a CUDA build of torch (pip's, via -DCMAKE_PREFIX_PATH) adds to privtune (docs/build.md):
#   PRIVTUNE_CUDA_KERNELS: the DP noise generated on the GPU (src/privtune/dp/noise_cuda.cu),
#     when nvcc is found;
#   PRIVTUNE_NCCL_ENABLED: data-parallel training over NCCL (src/privtune/dist), when NCCL's
#     nccl.h is found (pip's nvidia-nccl package or the CUDA toolkit).
# Each is AUTO by default; ON makes a missing piece an error, OFF leaves the feature out.
# Debian's libtorch has no CUDA, so both are off there.
set(PRIVTUNE_CUDA AUTO CACHE STRING "Build the CUDA kernels (DP noise on the GPU): AUTO, ON or OFF")
set(PRIVTUNE_NCCL AUTO CACHE STRING "Data-parallel training over NCCL on GPUs: AUTO, ON or OFF")

set(PRIVTUNE_TORCH_HAS_CUDA OFF)
if(TARGET c10_cuda OR TORCH_CUDA_LIBRARIES)
  set(PRIVTUNE_TORCH_HAS_CUDA ON)
endif()

set(PRIVTUNE_CUDA_KERNELS OFF)
if(PRIVTUNE_TORCH_HAS_CUDA AND NOT PRIVTUNE_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # torch's own CMake files may have enabled CUDA already, with their architectures.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES all-major)
    endif()
    set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)  # the one libcudart torch itself loads
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(PRIVTUNE_CUDA_KERNELS ON)
  endif()
endif()
if(PRIVTUNE_CUDA STREQUAL "ON" AND NOT PRIVTUNE_CUDA_KERNELS)
  message(FATAL_ERROR "PRIVTUNE_CUDA=ON, but torch has no CUDA or no CUDA compiler (nvcc) was found")
endif()

set(PRIVTUNE_NCCL_ENABLED OFF)
if(PRIVTUNE_TORCH_HAS_CUDA AND NOT PRIVTUNE_NCCL STREQUAL "OFF")
  # pip installs NCCL beside torch (site-packages/nvidia/<package>/include).
  file(GLOB nccl_hints "${TORCH_INSTALL_PREFIX}/../nvidia/*/include" "${TORCH_INSTALL_PREFIX}/../nvidia/*/*/include")
  find_path(PRIVTUNE_NCCL_INCLUDE_DIR nccl.h HINTS ${nccl_hints} ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
  if(PRIVTUNE_NCCL_INCLUDE_DIR)
    set(PRIVTUNE_NCCL_ENABLED ON)
  endif()
endif()
if(PRIVTUNE_NCCL STREQUAL "ON" AND NOT PRIVTUNE_NCCL_ENABLED)
  message(FATAL_ERROR "PRIVTUNE_NCCL=ON, but torch has no CUDA or nccl.h was not found (set PRIVTUNE_NCCL_INCLUDE_DIR)")
endif()
message(STATUS "privtune: torch with CUDA: ${PRIVTUNE_TORCH_HAS_CUDA}; CUDA kernels: ${PRIVTUNE_CUDA_KERNELS}; "
               "NCCL: ${PRIVTUNE_NCCL_ENABLED} ${PRIVTUNE_NCCL_INCLUDE_DIR}")
