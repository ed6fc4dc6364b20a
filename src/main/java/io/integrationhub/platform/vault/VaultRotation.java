package io.integrationhub.platform.vault;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Key rotation: after a new key is made active, moves every credentials row still sealed with an older
 * key to the active one, row by row under the row lock (so a concurrent token refresh is never lost), and then
 * the values other stores seal ({@link ResealableSecrets}, e.g. webhook endpoint signing secrets).
 */
@Service
public class VaultRotation {

    private static final Logger LOG = LoggerFactory.getLogger(VaultRotation.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final CredentialStore store;
    private final Vault vault;
    private final TransactionTemplate tx;
    private final ObjectProvider<ResealableSecrets> others;

    public VaultRotation(NamedParameterJdbcTemplate jdbc, CredentialStore store, Vault vault, TransactionTemplate tx,
            ObjectProvider<ResealableSecrets> others) {
        this.jdbc = jdbc;
        this.store = store;
        this.vault = vault;
        this.tx = tx;
        this.others = others;
    }

    public Map<String, Object> reencryptAll() {
        // The one cross-tenant read here returns tenant ids only; each row is then handled in its tenant's scope.
        List<UUID> tenants = jdbc.queryForList("SELECT DISTINCT tenant_id FROM credentials WHERE key_id IS NULL "
                + "OR key_id <> :active", Map.of("active", vault.activeKeyId()), UUID.class);
        int count = 0;
        for (UUID tenant : tenants) {
            for (UUID connection : store.sealedWithOtherKey(tenant)) {
                Boolean done = tx.execute(s -> store.reseal(tenant, connection));
                if (Boolean.TRUE.equals(done)) {
                    count++;
                }
            }
        }
        int secrets = others.orderedStream().mapToInt(ResealableSecrets::resealWithActiveKey).sum();
        LOG.info("Vault re-encryption: {} credential rows and {} other secrets moved to key {}", count, secrets,
                vault.activeKeyId());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("activeKeyId", vault.activeKeyId());
        result.put("reencrypted", count);
        result.put("reencryptedSecrets", secrets);
        return result;
    }
}
