@echo off
rem nightly copy of the team share
xcopy /e /y \\fileserver\team D:\Backup\team\
if errorlevel 1 echo copy failed
echo done
