package io.integrationhub.platform.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.tenancy.TenantJdbc;
import io.integrationhub.platform.vault.CredentialStore;
import io.integrationhub.platform.vault.Vault;

/**
 * Two hub instances share one PostgreSQL schema: this context's TokenManager, and a second one with its own
 * connection pool, transaction manager and in-memory state on the same schema. 200 callers spread over both
 * ask for a token of one expired connection at the same moment: the token endpoint sees exactly one refresh.
 */
class SingleFlightRefreshTest extends OAuthIntegrationTest {

    @Autowired
    Vault vault;
    @Autowired
    ObjectMapper mapper;
    @Autowired
    ConnectionService connectionService;
    @Autowired
    ProviderCatalog catalog;
    @Autowired
    ProviderProfiles profiles;
    @Autowired
    TokenEndpoint tokenEndpoint;
    @Autowired
    OAuthProperties properties;
    @Value("${spring.datasource.url}")
    String url;
    @Value("${spring.datasource.username}")
    String user;
    @Value("${spring.datasource.password:}")
    String password;
    @Value("${hub.test.schema}")
    String schema;

    @Test
    void shouldCallTheTokenEndpointOnceFor200ConcurrentCallersOnTwoInstances() throws Exception {
        String key = newTenantKey();
        String rt = "xero-sf-" + UUID.randomUUID();
        UUID id = connectXero(key, "xero-sf-at-" + UUID.randomUUID(), rt, 1800);
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo("grant_type=refresh_token&refresh_token=" + rt))
                .willReturn(okJson("{\"access_token\":\"xero-sf-new\",\"expires_in\":1800,\"token_type\":\"Bearer\","
                        + "\"refresh_token\":\"" + rt + "-rotated\"}").withFixedDelay(300)));
        expireAccessToken(id);
        UUID tenant = tenantOf(key);

        try (HikariDataSource second = new HikariDataSource()) {
            second.setJdbcUrl(url);
            second.setUsername(user);
            second.setPassword(password);
            second.setSchema(schema);
            second.setMaximumPoolSize(10);
            TenantJdbc jdbc2 = new TenantJdbc(new NamedParameterJdbcTemplate(second));
            TokenManager instance2 = new TokenManager(new CredentialStore(jdbc2, vault, mapper),
                    new TransactionTemplate(new DataSourceTransactionManager(second)), new ConnectionRepository(jdbc2, mapper),
                    connectionService, catalog, profiles, tokenEndpoint, properties);
            List<TokenManager> instances = List.of(tokenManager, instance2);

            ExecutorService pool = Executors.newFixedThreadPool(200);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            Set<String> seen = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 200; i++) {
                TokenManager instance = instances.get(i % 2);
                results.add(pool.submit(() -> {
                    go.await();
                    String token = instance.accessToken(tenant, id);
                    seen.add(token);
                    return token;
                }));
            }
            go.countDown();
            for (Future<String> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo("xero-sf-new");
            }
            pool.shutdown();
            assertThat(seen).containsExactly("xero-sf-new");
        }
        wm.verify(1, postRequestedFor(urlPathEqualTo("/xero/token"))
                .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=" + rt)));
        // the rotated refresh token is what the next refresh will use
        assertThat(jdbc.queryForObject("SELECT version FROM credentials WHERE connection_id = ?", Long.class, id)).isEqualTo(2L);
    }
}
