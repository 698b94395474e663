function validate(newDoc, oldDoc, userCtx) {
  if (!userCtx || !userCtx.roles || userCtx.roles.indexOf('_admin') === -1) {
    throw { forbidden: 'Only admins can modify the database.' };
  }
}
