package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.integrationhub.platform.resilience.ProviderCallException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.seda.SedaComponent;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Microsoft family's YAML routes (routes/microsoft) without Spring Boot: what they route where, and the
 * family's error handling (route configuration {@code microsoft-dead-letter} in graph.camel.yaml). The Java bean
 * steps (OneDriveChanges, OutlookMailSubscriptions) are woven out to mocks; the platform dead-letter route is a
 * mock. {@code microsoft.graph.call} is left out: it is only bean steps around the graph-http component.
 */
class MicrosoftRoutesTest extends FamilyRoutesTestSupport {

    static final String TENANT = "7d4f1f52-4f7e-4a43-9d36-0c1b7e1f0a01";
    static final String CONNECTION = "c0ffee00-1111-4222-8333-944445555666";
    static final String NOTIFICATION = "{\"value\":[{\"changeType\":\"updated\",\"resource\":\"me/drive/root\"}]}";

    /** How often the (woven) OneDrive delta-sync step ran, and what it should do. */
    final AtomicInteger deltaSyncAttempts = new AtomicInteger();
    final AtomicReference<RuntimeException> deltaSyncFailure = new AtomicReference<>();

    /** The (woven) mail activate step waits for this, so a test can see who waited for it. */
    final CountDownLatch activateMayRun = new CountDownLatch(1);
    final AtomicReference<String> activateThread = new AtomicReference<>();
    final AtomicReference<RuntimeException> activateFailure = new AtomicReference<>();
    /** How many folder subscriptions the (woven) subscribe step made. */
    final AtomicInteger newSubscriptions = new AtomicInteger();

    @Override
    protected List<String> routeFiles() {
        return List.of("microsoft/graph.camel.yaml", "microsoft/mail.camel.yaml", "microsoft/webhooks.camel.yaml");
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        configuration.withRouteFilterExcludePattern("microsoft.graph.call,outlook.action.*");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.errors.max-redeliveries", "2");
        properties.setProperty("hub.errors.initial-delay-ms", "1");
        properties.setProperty("hub.errors.max-delay-ms", "5");
        return properties;
    }

    @BeforeEach
    void replaceJavaSteps() throws Exception {
        AdviceWith.adviceWith(context, "microsoft.webhook", route -> {
            route.weaveById("microsoft.onedrive.webhook.delta-sync").replace()
                    .process(e -> {
                        deltaSyncAttempts.incrementAndGet();
                        e.getMessage().setBody("changed by the step");
                        RuntimeException failure = deltaSyncFailure.get();
                        if (failure != null) {
                            throw failure;
                        }
                    })
                    .to("mock:delta-sync");
            route.weaveById("microsoft.webhook.ignored").after().to("mock:ignored");
            route.weaveById("microsoft.webhook.lifecycle").after().to("mock:ignored");
            route.weaveById("microsoft.mail.notification.sync").replace().to("mock:mail-notification");
        });
        AdviceWith.adviceWith(context, "microsoft.mail.activate", route -> route
                .weaveById("microsoft.mail.activate.first-sync").replace().to("mock:first-sync"));
        AdviceWith.adviceWith(context, "microsoft.mail.activate", route -> route
                .weaveById("microsoft.mail.activate.subscribe").replace()
                .process(e -> {
                    activateThread.set(Thread.currentThread().getName());
                    if (!activateMayRun.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never let activate run");
                    }
                    RuntimeException failure = activateFailure.get();
                    if (failure != null) {
                        throw failure;
                    }
                    e.getMessage().setBody(newSubscriptions.get());
                })
                .to("mock:activate"));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:platform.deadLetter").routeId("test.platform.dead-letters").to("mock:dead-letter");
            }
        });
        // the queue's consumer notices a stop within 50 ms instead of the default second: a quicker test shutdown
        context.getComponent("seda", SedaComponent.class).setDefaultPollTimeout(50);
        context.start();
    }

    @AfterEach
    void releaseActivate() {
        activateMayRun.countDown();
    }

    // --- microsoft.onedrive.webhook ------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} → incremental delta sync")
    @ValueSource(strings = {"change.updated", "change.created", "change.deleted"})
    void aDriveChangeAsksForADeltaSync(String eventType) throws Exception {
        MockEndpoint deltaSync = getMockEndpoint("mock:delta-sync");
        deltaSync.expectedMessageCount(1);
        deltaSync.expectedHeaderReceived("HubTenantId", TENANT);
        deltaSync.expectedHeaderReceived("HubConnectionId", CONNECTION);
        getMockEndpoint("mock:ignored").expectedMessageCount(0);

        template.sendBodyAndHeaders("direct:webhook.onedrive", NOTIFICATION, webhookHeaders(eventType));

        MockEndpoint.assertIsSatisfied(context);
        assertThat(deltaSyncAttempts).hasValue(1);
    }

    @ParameterizedTest(name = "{0} → ignored")
    @NullSource
    @ValueSource(strings = {"lifecycle.missed", "lifecycle.reauthorizationRequired", "changed.updated"})
    void anyOtherEventIsLoggedAndIgnored(String eventType) throws Exception {
        getMockEndpoint("mock:ignored").expectedMessageCount(1);
        getMockEndpoint("mock:delta-sync").expectedMessageCount(0);

        Exchange result = template.send("direct:webhook.onedrive", e -> {
            e.getMessage().setHeaders(webhookHeaders(eventType));
            e.getMessage().setBody(NOTIFICATION);
        });

        assertThat(result.getException()).isNull();
        MockEndpoint.assertIsSatisfied(context);
        assertThat(deltaSyncAttempts).hasValue(0);
    }

    @Test
    void aFailingDeltaSyncIsRetriedThenDeadLetteredWithTheOriginalMessage() throws Exception {
        deltaSyncFailure.set(new IllegalStateException("database unavailable"));
        MockEndpoint deadLetter = getMockEndpoint("mock:dead-letter");
        deadLetter.expectedMessageCount(1);

        template.sendBodyAndHeaders("direct:webhook.onedrive", NOTIFICATION, webhookHeaders("change.updated"));

        deadLetter.assertIsSatisfied();
        assertThat(deltaSyncAttempts).as("first try + hub.errors.max-redeliveries").hasValue(3);
        Exchange dead = deadLetter.getReceivedExchanges().get(0);
        assertThat(dead.getMessage().getBody(String.class)).as("useOriginalMessage").isEqualTo(NOTIFICATION);
        assertThat(dead.getMessage().getHeader("HubConnectionId")).isEqualTo(CONNECTION);
        assertThat(dead.getProperty(Exchange.FAILURE_ROUTE_ID)).isEqualTo("microsoft.onedrive.webhook");
        assertThat(dead.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class))
                .isInstanceOf(IllegalStateException.class).hasMessage("database unavailable");
        getMockEndpoint("mock:delta-sync").expectedMessageCount(0);
        getMockEndpoint("mock:delta-sync").assertIsSatisfied();
    }

    @Test
    void aProviderRefusalIsDeadLetteredWithoutRetries() throws Exception {
        deltaSyncFailure.set(new ProviderCallException(ProviderCallException.Kind.REJECTED, 403, "forbidden", null));
        MockEndpoint deadLetter = getMockEndpoint("mock:dead-letter");
        deadLetter.expectedMessageCount(1);

        template.sendBodyAndHeaders("direct:webhook.onedrive", NOTIFICATION, webhookHeaders("change.updated"));

        deadLetter.assertIsSatisfied();
        assertThat(deltaSyncAttempts).as("the resilience layer has already retried the provider call").hasValue(1);
        assertThat(deadLetter.getReceivedExchanges().get(0).getProperty(Exchange.EXCEPTION_CAUGHT))
                .isInstanceOf(ProviderCallException.class);
    }

    // --- microsoft.mail.activate(.queue) -----------------------------------------------------------------------

    @Test
    void activationIsQueuedSoTheCallerDoesNotWaitForTheGraphCalls() throws Exception {
        MockEndpoint activate = getMockEndpoint("mock:activate");
        activate.expectedMessageCount(1);
        activate.expectedHeaderReceived("HubTenantId", TENANT);
        activate.expectedHeaderReceived("HubConnectionId", CONNECTION);
        NotifyBuilder activated = new NotifyBuilder(context).fromRoute("microsoft.mail.activate").whenCompleted(1)
                .create();

        // InOut: even a caller that expects a reply gets control back while activate is still blocked
        Exchange queued = template.request("direct:microsoft.mail.activate",
                e -> e.getMessage().setHeaders(Map.of("HubTenantId", TENANT, "HubConnectionId", CONNECTION)));

        assertThat(queued.getException()).isNull();
        assertThat(activated.matches()).as("activate has not run yet").isFalse();
        assertThat(activate.getReceivedCounter()).isZero();

        activateMayRun.countDown();
        assertThat(activated.matches(10, TimeUnit.SECONDS)).as("activate ran from the seda queue").isTrue();
        activate.assertIsSatisfied();
        assertThat(activateThread.get()).as("activate runs on the queue's consumer thread")
                .isNotEqualTo(Thread.currentThread().getName()).contains("seda://microsoft.mail.activate");
    }

    @ParameterizedTest(name = "{0} new subscriptions")
    @ValueSource(ints = {0, 2})
    void onlyNewFolderSubscriptionsAskForAFirstSync(int created) throws Exception {
        newSubscriptions.set(created);
        activateMayRun.countDown();
        getMockEndpoint("mock:first-sync").expectedMessageCount(created > 0 ? 1 : 0);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("microsoft.mail.activate").whenDone(1).create();

        template.sendBodyAndHeaders("direct:microsoft.mail.activate", null,
                Map.of("HubTenantId", TENANT, "HubConnectionId", CONNECTION));

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        getMockEndpoint("mock:first-sync").assertIsSatisfied();
        getMockEndpoint("mock:activate").expectedMessageCount(1);
        getMockEndpoint("mock:activate").assertIsSatisfied();
    }

    @Test
    void aFailedActivationEndsInTheDeadLetterRouteWithItsConnection() throws Exception {
        activateFailure.set(new ProviderCallException(ProviderCallException.Kind.UNAVAILABLE, 503, "graph down",
                null));
        activateMayRun.countDown();
        MockEndpoint deadLetter = getMockEndpoint("mock:dead-letter");
        deadLetter.expectedMessageCount(1);
        NotifyBuilder failed = new NotifyBuilder(context).fromRoute("microsoft.mail.activate").whenDone(1).create();

        template.sendBodyAndHeaders("direct:microsoft.mail.activate", null,
                Map.of("HubTenantId", TENANT, "HubConnectionId", CONNECTION));

        assertThat(failed.matches(10, TimeUnit.SECONDS)).isTrue();
        deadLetter.assertIsSatisfied();
        Exchange dead = deadLetter.getReceivedExchanges().get(0);
        assertThat(dead.getMessage().getHeader("HubConnectionId")).isEqualTo(CONNECTION);
        assertThat(dead.getProperty(Exchange.FAILURE_ROUTE_ID)).isEqualTo("microsoft.mail.activate");
        getMockEndpoint("mock:activate").expectedMessageCount(0);
        getMockEndpoint("mock:activate").assertIsSatisfied();
    }

    private static Map<String, Object> webhookHeaders(String eventType) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("HubTenantId", TENANT);
        headers.put("HubConnectionId", CONNECTION);
        if (eventType != null) {
            headers.put("HubEventType", eventType);
        }
        return headers;
    }
}
