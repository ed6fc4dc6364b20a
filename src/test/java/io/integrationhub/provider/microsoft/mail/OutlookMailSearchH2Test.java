package io.integrationhub.provider.microsoft.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.sync.RecordStore;
import io.integrationhub.platform.sync.SyncSource.Mapped;
import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The zero-setup profile's database: the migrations (V8 included) run on H2 in PostgreSQL mode, and email search
 * falls back to matching every word, case-insensitively, anywhere in the record — still per tenant and connection.
 */
class OutlookMailSearchH2Test {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static RecordStore records;
    private static OutlookMailSearch search;
    private static final UUID TENANT = UUID.randomUUID();
    private static final UUID OTHER_TENANT = UUID.randomUUID();
    private static final UUID CONNECTION = UUID.randomUUID();
    private static final UUID OTHER_CONNECTION = UUID.randomUUID();

    @BeforeAll
    static void database() {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:mail-search-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration", "classpath:db/vendor/h2").load().migrate();
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(ds);
        for (UUID[] tc : new UUID[][] {{TENANT, CONNECTION}, {OTHER_TENANT, OTHER_CONNECTION}}) {
            jdbc.update("INSERT INTO tenants (id, name, created_at) VALUES (:id, :name, CURRENT_TIMESTAMP)",
                    Map.of("id", tc[0], "name", "t-" + tc[0]));
            jdbc.update("INSERT INTO connections (id, tenant_id, provider, name, status, created_at, updated_at) VALUES "
                    + "(:id, :tenant, 'outlook', 'mail', 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                    Map.of("id", tc[1], "tenant", tc[0]));
        }
        records = new RecordStore(new TenantJdbc(jdbc), MAPPER);
        search = new OutlookMailSearch(ds);
        records.apply(TENANT, CONNECTION, "email", List.of(
                email("m1", "Roof inspection booked", "carla@builders.example", "site-plan.pdf"),
                email("m2", "Invoice 2291", "accounts@supplier.example", "invoice_2291.pdf")), Instant.now());
        records.apply(OTHER_TENANT, OTHER_CONNECTION, "email", List.of(
                email("x1", "Roof inspection elsewhere", "carla@builders.example", "other.pdf")), Instant.now());
        // The migration added outlook tables on H2 too.
        jdbc.update("INSERT INTO outlook_mail_links (connection_id, kind, link_key, tenant_id, job_ref, rule, created_at) "
                + "VALUES (:c, 'conversation', 'conv-1', :t, 'JOB-1', 'subject', CURRENT_TIMESTAMP)",
                Map.of("c", CONNECTION, "t", TENANT));
    }

    private static Mapped email(String id, String subject, String from, String attachment) {
        ObjectNode data = MAPPER.createObjectNode().put("subject", subject).put("body", "Kind regards");
        data.putObject("from").put("address", from);
        data.putArray("attachments").addObject().put("name", attachment);
        return new Mapped(id, data, null, false);
    }

    private List<String> find(UUID tenant, UUID connection, String q) {
        return records.list(tenant, connection, "email", null, null, 100, search.filter(q)).records().stream()
                .map(RecordStore.Record::externalId).toList();
    }

    @Test
    void shouldMatchEveryWordCaseInsensitivelyWithinTheConnection() {
        assertThat(find(TENANT, CONNECTION, "INSPECTION")).containsExactly("m1");
        assertThat(find(TENANT, CONNECTION, "roof carla")).containsExactly("m1");
        assertThat(find(TENANT, CONNECTION, "roof invoice")).isEmpty();
        assertThat(find(TENANT, CONNECTION, "invoice_2291.pdf")).containsExactly("m2");
        assertThat(find(TENANT, CONNECTION, "regards")).containsExactlyInAnyOrder("m1", "m2");
        assertThat(find(TENANT, CONNECTION, "100%")).isEmpty();
        assertThat(find(OTHER_TENANT, OTHER_CONNECTION, "inspection")).containsExactly("x1");
        assertThat(find(OTHER_TENANT, CONNECTION, "inspection")).isEmpty();
    }
}
