/* Choropleth style and tooltips for dash-leaflet GeoJSON layers (studio/components/map.py).
 *
 * The layer's `hideout` holds what changes with the filters: `fills` (class colour by area
 * code), `tips` (escaped tooltip HTML by code), `missing` (colour of areas without a value)
 * and `selected` (the code the dashboard is cross-filtered by, or null). dash-leaflet calls
 * these functions with the layer's props as the last argument and again when the hideout
 * changes, so the outlines themselves are never sent again.
 */
window.studioMaps = Object.assign(window.studioMaps || {}, {
    areaStyle: function (feature, context) {
        var h = (context && context.hideout) || {};
        var code = feature.properties && feature.properties.code;
        var fill = (h.fills && h.fills[code]) || h.missing || "#d9d9d9";
        var some = h.selected !== null && h.selected !== undefined;
        var chosen = some && h.selected === code;
        var name = "studio-map-area studio-area-" + String(code).replace(/[^A-Za-z0-9_-]/g, "");
        return {
            color: chosen ? "#111111" : "#ffffff",
            weight: chosen ? 3 : 0.8,
            fillOpacity: some && !chosen ? 0.45 : 0.85,
            fillColor: fill,
            className: chosen ? name + " studio-map-selected" : name,
        };
    },
    areaTooltip: function (feature, layer, context) {
        var h = (context && context.hideout) || {};
        var code = feature.properties && feature.properties.code;
        var tip = h.tips && h.tips[code];
        if (tip) {
            layer.bindTooltip(tip);
        }
    },
});
