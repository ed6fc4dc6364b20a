# syntax=docker/dockerfile:1
# The hub's image: the Spring Boot jar extracted into its layers on a JRE 17, run as a non-root user.
#
#   docker build -t integration-hub:0.1.0-SNAPSHOT .
#
# Read-only root filesystem friendly: the prod profile writes only to java.io.tmpdir (/tmp; mount an
# emptyDir there). /app/data (HUB_DATA_DIR) is only written by the zero-setup default profile (H2, the
# embedded broker, local secrets): mount a volume there for that profile. See docs/operations.md "Image".

# --- build: the jar, then its layers ---------------------------------------------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/main/ src/main/
COPY routes/ routes/
RUN ./mvnw -B -q -Dmaven.test.skip=true package \
 && java -Djarmode=tools -jar target/integration-hub.jar extract --layers --launcher --destination /build/extracted

# --- run ------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 hub \
 && useradd --system --uid 10001 --gid hub --home-dir /app --no-create-home --shell /usr/sbin/nologin hub \
 && mkdir -p /app/data /app/routes \
 && chown 10001:10001 /app/data
WORKDIR /app
# Least to most often changed: a new build of the hub changes only the last layer.
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./
# The provider route families; Kubernetes mounts the integration-hub-routes ConfigMap over this folder.
COPY routes/ /app/routes/
ENV SPRING_PROFILES_ACTIVE=prod \
    HUB_ROUTES_DIR=/app/routes \
    HUB_DATA_DIR=/app/data \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=55 -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
USER 10001:10001
EXPOSE 8080
# Exec form: java is PID 1 and gets SIGTERM itself (graceful shutdown, docs/operations.md).
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
