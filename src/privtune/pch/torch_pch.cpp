// Owner of the shared torch precompiled header (see CMakeLists.txt).
