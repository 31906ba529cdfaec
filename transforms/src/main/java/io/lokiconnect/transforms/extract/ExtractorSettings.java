package io.lokiconnect.transforms.extract;

import io.lokiconnect.transforms.labels.LabelFieldSpec;
import io.lokiconnect.transforms.parse.InputFormat;
import java.util.List;
import java.util.Map;

/**
 * What {@link LabelExtractor} needs of the transform's configuration, so extraction depends on no Connect config
 * class and can be built directly in tests.
 *
 * @param labelFields         {@code label.fields}, in configured order
 * @param staticLabels        {@code static.labels}, also the fallbacks of field labels of the same name
 * @param levelDefault        {@code level.default}; empty for none
 * @param levelNormalize      {@code level.normalize}
 * @param metadataFields      {@code metadata.fields}
 * @param timestampField      {@code timestamp.field}; empty for none
 * @param timestampFormat     {@code timestamp.format}
 * @param messageField        {@code message.field}; empty for none
 * @param labelValueMaxLength {@code label.value.max.length}, in UTF-8 bytes
 * @param labelValuesMax      {@code label.values.max}
 * @param inputFormat         {@code input.format}
 * @param tenantField         {@code tenant.field}; empty for none
 */
public record ExtractorSettings(List<LabelFieldSpec> labelFields, Map<String, String> staticLabels,
                                String levelDefault, boolean levelNormalize, List<LabelFieldSpec> metadataFields,
                                String timestampField, String timestampFormat, String messageField,
                                int labelValueMaxLength, int labelValuesMax, InputFormat inputFormat,
                                String tenantField) {

    /** The label whose values are normalised and default to {@code level.default}. */
    public static final String LEVEL_LABEL = "level";
}
