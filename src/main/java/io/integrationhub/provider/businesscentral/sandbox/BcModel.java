package io.integrationhub.provider.businesscentral.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.olingo.commons.api.edm.EdmPrimitiveTypeKind;
import org.apache.olingo.commons.api.edm.FullQualifiedName;
import org.apache.olingo.commons.api.edm.provider.CsdlAbstractEdmProvider;
import org.apache.olingo.commons.api.edm.provider.CsdlEntityContainer;
import org.apache.olingo.commons.api.edm.provider.CsdlEntityContainerInfo;
import org.apache.olingo.commons.api.edm.provider.CsdlEntitySet;
import org.apache.olingo.commons.api.edm.provider.CsdlEntityType;
import org.apache.olingo.commons.api.edm.provider.CsdlNavigationProperty;
import org.apache.olingo.commons.api.edm.provider.CsdlProperty;
import org.apache.olingo.commons.api.edm.provider.CsdlPropertyRef;
import org.apache.olingo.commons.api.edm.provider.CsdlSchema;

/**
 * The Business Central API v2.0 entity model the simulator serves as {@code $metadata} (a subset of each entity's
 * properties, BC's names and types; namespace {@code Microsoft.NAV}): {@code companies} is the one entity set, and
 * every other resource is a contained navigation of a company ({@code companies(<id>)/customers}), sales orders
 * contain their {@code salesOrderLines} — the shape of BC's own model.
 */
final class BcModel extends CsdlAbstractEdmProvider {

    static final String NAMESPACE = "Microsoft.NAV";
    static final FullQualifiedName CONTAINER = new FullQualifiedName(NAMESPACE, "NAV");

    /** navigation name → entity type name, with its properties (name → type). */
    static final Map<String, String> COMPANY_SETS = Map.of("customers", "customer", "items", "item", "vendors", "vendor",
            "salesOrders", "salesOrder", "salesInvoices", "salesInvoice");
    static final Map<String, Map<String, EdmPrimitiveTypeKind>> TYPES = new LinkedHashMap<>();

    static {
        TYPES.put("company", props("systemVersion", EdmPrimitiveTypeKind.String, "name", EdmPrimitiveTypeKind.String,
                "displayName", EdmPrimitiveTypeKind.String, "businessProfileId", EdmPrimitiveTypeKind.String,
                "systemModifiedAt", EdmPrimitiveTypeKind.DateTimeOffset));
        TYPES.put("customer", props("number", EdmPrimitiveTypeKind.String, "displayName", EdmPrimitiveTypeKind.String,
                "type", EdmPrimitiveTypeKind.String, "email", EdmPrimitiveTypeKind.String,
                "phoneNumber", EdmPrimitiveTypeKind.String, "addressLine1", EdmPrimitiveTypeKind.String,
                "city", EdmPrimitiveTypeKind.String, "country", EdmPrimitiveTypeKind.String,
                "postalCode", EdmPrimitiveTypeKind.String, "currencyCode", EdmPrimitiveTypeKind.String,
                "blocked", EdmPrimitiveTypeKind.String, "lastModifiedDateTime", EdmPrimitiveTypeKind.DateTimeOffset));
        TYPES.put("item", props("number", EdmPrimitiveTypeKind.String, "displayName", EdmPrimitiveTypeKind.String,
                "type", EdmPrimitiveTypeKind.String, "blocked", EdmPrimitiveTypeKind.Boolean,
                "baseUnitOfMeasureCode", EdmPrimitiveTypeKind.String, "unitPrice", EdmPrimitiveTypeKind.Decimal,
                "inventory", EdmPrimitiveTypeKind.Decimal, "lastModifiedDateTime", EdmPrimitiveTypeKind.DateTimeOffset));
        TYPES.put("vendor", props("number", EdmPrimitiveTypeKind.String, "displayName", EdmPrimitiveTypeKind.String,
                "email", EdmPrimitiveTypeKind.String, "phoneNumber", EdmPrimitiveTypeKind.String,
                "city", EdmPrimitiveTypeKind.String, "country", EdmPrimitiveTypeKind.String,
                "currencyCode", EdmPrimitiveTypeKind.String, "blocked", EdmPrimitiveTypeKind.String,
                "lastModifiedDateTime", EdmPrimitiveTypeKind.DateTimeOffset));
        TYPES.put("salesOrder", props("number", EdmPrimitiveTypeKind.String, "orderDate", EdmPrimitiveTypeKind.Date,
                "customerId", EdmPrimitiveTypeKind.Guid, "customerNumber", EdmPrimitiveTypeKind.String,
                "customerName", EdmPrimitiveTypeKind.String, "currencyCode", EdmPrimitiveTypeKind.String,
                "status", EdmPrimitiveTypeKind.String, "totalAmountIncludingTax", EdmPrimitiveTypeKind.Decimal,
                "lastModifiedDateTime", EdmPrimitiveTypeKind.DateTimeOffset));
        TYPES.put("salesOrderLine", props("documentId", EdmPrimitiveTypeKind.Guid, "sequence", EdmPrimitiveTypeKind.Int32,
                "lineType", EdmPrimitiveTypeKind.String, "itemId", EdmPrimitiveTypeKind.Guid,
                "lineObjectNumber", EdmPrimitiveTypeKind.String, "description", EdmPrimitiveTypeKind.String,
                "quantity", EdmPrimitiveTypeKind.Decimal, "unitPrice", EdmPrimitiveTypeKind.Decimal,
                "netAmount", EdmPrimitiveTypeKind.Decimal));
        TYPES.put("salesInvoice", props("number", EdmPrimitiveTypeKind.String, "invoiceDate", EdmPrimitiveTypeKind.Date,
                "dueDate", EdmPrimitiveTypeKind.Date, "customerId", EdmPrimitiveTypeKind.Guid,
                "customerNumber", EdmPrimitiveTypeKind.String, "customerName", EdmPrimitiveTypeKind.String,
                "currencyCode", EdmPrimitiveTypeKind.String, "status", EdmPrimitiveTypeKind.String,
                "totalAmountIncludingTax", EdmPrimitiveTypeKind.Decimal,
                "lastModifiedDateTime", EdmPrimitiveTypeKind.DateTimeOffset));
    }

    private static Map<String, EdmPrimitiveTypeKind> props(Object... pairs) {
        Map<String, EdmPrimitiveTypeKind> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], (EdmPrimitiveTypeKind) pairs[i + 1]);
        }
        return out;
    }

    static FullQualifiedName type(String name) {
        return new FullQualifiedName(NAMESPACE, name);
    }

    @Override
    public CsdlEntityType getEntityType(FullQualifiedName name) {
        if (!NAMESPACE.equals(name.getNamespace()) || !TYPES.containsKey(name.getName())) {
            return null;
        }
        List<CsdlProperty> properties = new ArrayList<>();
        properties.add(new CsdlProperty().setName("id").setType(EdmPrimitiveTypeKind.Guid.getFullQualifiedName())
                .setNullable(false));
        TYPES.get(name.getName()).forEach((p, kind) -> {
            CsdlProperty property = new CsdlProperty().setName(p).setType(kind.getFullQualifiedName());
            if (kind == EdmPrimitiveTypeKind.Decimal) {
                property.setScale(5).setPrecision(38);
            }
            if (kind == EdmPrimitiveTypeKind.DateTimeOffset) {
                property.setPrecision(3);
            }
            properties.add(property);
        });
        List<CsdlNavigationProperty> navigation = new ArrayList<>();
        if (name.getName().equals("company")) {
            COMPANY_SETS.forEach((set, t) -> navigation.add(new CsdlNavigationProperty().setName(set).setType(type(t))
                    .setCollection(true).setContainsTarget(true)));
        } else if (name.getName().equals("salesOrder")) {
            navigation.add(new CsdlNavigationProperty().setName("salesOrderLines").setType(type("salesOrderLine"))
                    .setCollection(true).setContainsTarget(true));
        }
        return new CsdlEntityType().setName(name.getName()).setProperties(properties).setNavigationProperties(navigation)
                .setKey(List.of(new CsdlPropertyRef().setName("id")));
    }

    @Override
    public CsdlEntitySet getEntitySet(FullQualifiedName container, String name) {
        if (CONTAINER.equals(container) && "companies".equals(name)) {
            return new CsdlEntitySet().setName("companies").setType(type("company"));
        }
        return null;
    }

    @Override
    public CsdlEntityContainer getEntityContainer() {
        return new CsdlEntityContainer().setName(CONTAINER.getName())
                .setEntitySets(List.of(getEntitySet(CONTAINER, "companies")));
    }

    @Override
    public CsdlEntityContainerInfo getEntityContainerInfo(FullQualifiedName name) {
        return name == null || CONTAINER.equals(name) ? new CsdlEntityContainerInfo().setContainerName(CONTAINER) : null;
    }

    @Override
    public List<CsdlSchema> getSchemas() {
        List<CsdlEntityType> types = new ArrayList<>();
        TYPES.keySet().forEach(t -> types.add(getEntityType(type(t))));
        return List.of(new CsdlSchema().setNamespace(NAMESPACE).setEntityTypes(types).setEntityContainer(getEntityContainer()));
    }
}
