@echo off
rem The nabla command on Windows (./nabla on Linux and macOS): runs nabla-cli\target\nabla.jar,
rem building it with Maven first when it is missing. Needs a JDK 21 or newer (JAVA_HOME, else java
rem on PATH) and, for the first build, Maven (mvn on PATH).
rem   NABLA_JAVA_OPTS  extra JVM options, e.g. set NABLA_JAVA_OPTS=-Xmx8g
rem After a change to the sources, rebuild with: mvn -DskipTests package -pl nabla-cli -am
setlocal
set "ROOT=%~dp0"
set "JAR=%ROOT%nabla-cli\target\nabla.jar"
if defined JAVA_HOME (set "JAVA=%JAVA_HOME%\bin\java.exe") else (set "JAVA=java")
if not exist "%JAR%" (
  echo nabla: building nabla-cli\target\nabla.jar ^(first run^)... 1>&2
  call mvn -q -B -DskipTests -Dnabla.docs.skip=true package -pl nabla-cli -am -f "%ROOT%pom.xml"
  if errorlevel 1 (
    echo nabla: the build failed ^(Maven's output above^); it needs Maven and a JDK 21 or newer. 1>&2
    exit /b 1
  )
)
"%JAVA%" --add-modules jdk.incubator.vector -XX:+UseG1GC %NABLA_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
