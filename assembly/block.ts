// Typed element access into regions of a problem block (see layout.ts).
@inline export function i32At(region: usize, i: i32): i32 {
  return load<i32>(region + (<usize>i << 2));
}
@inline export function setI32(region: usize, i: i32, v: i32): void {
  store<i32>(region + (<usize>i << 2), v);
}
@inline export function i64At(region: usize, i: i32): i64 {
  return load<i64>(region + (<usize>i << 3));
}
@inline export function setI64(region: usize, i: i32, v: i64): void {
  store<i64>(region + (<usize>i << 3), v);
}
@inline export function u8At(region: usize, i: i32): u8 {
  return load<u8>(region + <usize>i);
}
