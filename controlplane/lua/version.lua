-- version
-- The interface version of these scripts (VERSION in the prologue). A
-- backend checks it once after SCRIPT LOAD (docs/schema.md, "Versions").
return VERSION
