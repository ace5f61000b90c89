#pragma once
// What libmilter calls instead of read(2) (quick_ack.cpp, apps/milter/CMakeLists.txt).
#include <sys/types.h>

#include <cstddef>

extern "C" ssize_t sluice_milter_read(int fd, void* buf, size_t count);
