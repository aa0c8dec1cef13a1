# privtune_module(NAME [TORCH] DEPS dep...)
# A static library from every .cpp in the current folder. TORCH modules link libtorch and
# share one precompiled header (src/privtune/pch/torch_pch.h).
function(privtune_module name)
  cmake_parse_arguments(ARG "TORCH" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(target privtune_${name})
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${target} PRIVATE ${PRIVTUNE_WARNINGS})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  if(ARG_TORCH)
    target_link_libraries(${target} PUBLIC torch)
    if(TARGET privtune_torch_pch)
      target_precompile_headers(${target} REUSE_FROM privtune_torch_pch)
    else()
      target_precompile_headers(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src/privtune/pch/torch_pch.h)
    endif()
  endif()
endfunction()

# privtune_openmp_source(TARGET FILE): a file of TARGET whose at::parallel_for loops must run
# in parallel. That loop is inline OpenMP in torch's headers, parallel only where compiled with
# OpenMP: this file alone, outside the shared precompiled header (other flags), linking the
# OpenMP library rather than OpenMP::OpenMP_CXX, whose -fopenmp would reach every file of TARGET.
function(privtune_openmp_source target file)
  find_package(OpenMP REQUIRED COMPONENTS CXX)
  set_source_files_properties(${file} PROPERTIES COMPILE_OPTIONS "${OpenMP_CXX_FLAGS}" SKIP_PRECOMPILE_HEADERS ON)
  target_link_libraries(${target} PRIVATE ${OpenMP_CXX_LIBRARIES})
endfunction()

# privtune_x86_source(FILE OPTIONS): on x86-64, FILE is compiled for an instruction set
# (OPTIONS, e.g. "-mavx2;-mfma"), outside the precompiled header; the code calls it only on a
# CPU that has that set.
function(privtune_x86_source file options)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
    set_source_files_properties(${file} PROPERTIES COMPILE_OPTIONS "${options}" SKIP_PRECOMPILE_HEADERS ON)
  endif()
endfunction()

# privtune_test(MODULE deps...): one GoogleTest program per test folder.
function(privtune_test name)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(target test_${name})
  add_executable(${target} ${sources} ${PROJECT_SOURCE_DIR}/tests/common/test_main.cpp)
  privtune_executable(${target})
  target_compile_definitions(${target} PRIVATE
    PRIVTUNE_SOURCE_DIR="${PROJECT_SOURCE_DIR}" PRIVTUNE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
  target_link_libraries(${target} PRIVATE ${ARGN} privtune_core GTest::gtest)
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${name})
endfunction()

# privtune_executable(TARGET): what every project executable shares; under PRIVTUNE_SANITIZE,
# the sanitizers' default settings, so that tests and the processes they start agree.
function(privtune_executable target)
  target_compile_options(${target} PRIVATE ${PRIVTUNE_WARNINGS})
  if(PRIVTUNE_SANITIZE)
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/cmake/sanitizer_defaults.cpp)
  endif()
endfunction()
