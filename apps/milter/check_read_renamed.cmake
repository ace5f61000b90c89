# Fails the build when the renamed libmilter no longer reads through
# sluice_milter_read (a libmilter that reads with recv(2), say): over TCP the
# milter would then stall 40 ms per message instead of failing loudly here.
execute_process(COMMAND ${NM} -u ${ARCHIVE} OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -u ${ARCHIVE} failed")
endif()
if(NOT undefined MATCHES "sluice_milter_read")
  message(FATAL_ERROR "${ARCHIVE}: libmilter does not call read(2); quick_ack.cpp would never run")
endif()
if(undefined MATCHES "(^|\n)[ \t]*U (read|recv|recvfrom|recvmsg)\n")
  message(FATAL_ERROR "${ARCHIVE}: libmilter still reads past sluice_milter_read")
endif()
