# cmake -DROOT=<src/privtune/data> -DOUT=<file.cpp> -P embed_resources.cmake
# Writes a C++ source defining privtune::data::detail::kEmbeddedResources: one byte array per
# file under ROOT/pools and ROOT/phrasings, named by its path relative to ROOT (resources.h).
file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/pools/*.txt ${ROOT}/phrasings/*.txt)
list(SORT files)
set(arrays "")
set(table "")
set(index 0)
foreach(f ${files})
  file(READ ${ROOT}/${f} hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  # 32 bytes a line keeps the generated file readable in an editor.
  string(REGEX REPLACE "(................................................................)" "\\1\n" hex "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "// ${f}\nconst unsigned char r${index}[] = {\n${bytes}0};\n")
  string(APPEND table "    {\"${f}\", r${index}, ${size}},\n")
  math(EXPR index "${index} + 1")
endforeach()
set(content "// Generated from src/privtune/data/{pools,phrasings} by embed_resources.cmake; do not edit.
#include \"privtune/data/resources.h\"

namespace privtune::data::detail {
namespace {
${arrays}}  // namespace

const EmbeddedResource kEmbeddedResources[] = {
${table}};
const size_t kEmbeddedResourceCount = ${index};

}  // namespace privtune::data::detail
")
file(WRITE ${OUT} "${content}")
